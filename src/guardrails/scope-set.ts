// Whether a scope applies at all, the server's or the identity's. Apart from scope.ts, whose catalog schemas it does
// not need, for what must know only that: the instructions, which stdio gives before the catalog loads.
import type { ScopeConfig } from './scope.js';

/** Whether any room scope applies (the server's or the identity's). */
export const roomsScoped = (config: ScopeConfig) => config.allowRooms.length > 0 || (config.person?.rooms.length ?? 0) > 0;
export const appsScoped = (config: ScopeConfig) => config.allowApps.length > 0 || (config.person?.apps.length ?? 0) > 0;
export const scopeIsSet = (config: ScopeConfig) => appsScoped(config) || roomsScoped(config);
