export * from './common';
export * from './auth';
export * from './bookings';
export * from './drivers';
export * from './realtime';
export * from './notifications';
export * from './admin';
