// Public entry of the paper venue server: start one in-process, or run main.ts as a child process.
export { startPaperVenueServer, type PaperVenueServer, type PaperVenueServerOptions } from './server.ts';
export { DEFAULT_BALANCES, DEFAULT_INSTRUMENT, VenueHost, type SyntheticFeedOptions, type VenueHostOptions } from './venue-host.ts';
