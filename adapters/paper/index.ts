// Public entry of the paper venue: the venue class and its options.
export { PaperVenue, type PaperVenueOptions } from './paper-venue.ts';
