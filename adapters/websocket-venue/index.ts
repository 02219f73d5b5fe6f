// Public entry of the WebSocket venue client: the client class, its options and the wire protocol's result types.
export { WebSocketVenue, WebSocketVenueError, type VenueConnectionListener, type VenueConnectionStatus, type WebSocketVenueOptions } from './websocket-venue.ts';
export { PROTOCOL_VERSION, type SequencedVenueFill, type VenueAdminState } from './protocol.ts';
