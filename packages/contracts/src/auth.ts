import { Type, type Static } from '@sinclair/typebox';
import { Id, Text, Timestamp } from './common';

export const VEHICLE_TYPES = ['bike', 'van', 'mini_truck', 'truck'] as const;
export type VehicleType = (typeof VEHICLE_TYPES)[number];
export const VehicleTypeSchema = Type.Union(VEHICLE_TYPES.map((type) => Type.Literal(type)));

/** The most a vehicle of each type may be registered to carry, and the default when none is given. */
export const VEHICLE_CAPACITY_KG: Readonly<Record<VehicleType, number>> = {
  bike: 20,
  van: 750,
  mini_truck: 1500,
  truck: 10_000,
};

export const ROLES = ['customer', 'driver', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = Type.Union(ROLES.map((role) => Type.Literal(role)));

export const Email = Type.String({ format: 'email', maxLength: 254 });
/** At least 8 characters, not all of them white space. */
export const Password = Type.String({ minLength: 8, maxLength: 128, pattern: '\\S' });

/**
 * A phone number: E.164 (`+919876543210`) or the same digits written loosely
 * with spaces, hyphens and parentheses (`+91 98765-43210`, `(080) 2345 6789`);
 * 6 to 15 digits in all.
 */
export const Phone = Type.String({
  maxLength: 24,
  pattern: '^(?=(?:[^0-9]*[0-9]){6,15}[^0-9]*$)\\+?[(]?[0-9][0-9 ()-]*[0-9]$',
  description: 'E.164, or digits with spaces, hyphens and parentheses (6 to 15 digits).',
});

export const VehicleInput = Type.Object(
  {
    type: VehicleTypeSchema,
    plate: Type.String({ minLength: 2, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' }),
    capacityKg: Type.Optional(Type.Integer({ minimum: 1, maximum: 50_000 })),
  },
  { additionalProperties: false },
);
export type VehicleInput = Static<typeof VehicleInput>;

export const SignupBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Text({ maxLength: 120, required: true }),
    role: Type.Union([Type.Literal('customer'), Type.Literal('driver')]),
    phone: Type.Optional(Phone),
    vehicle: Type.Optional(VehicleInput),
  },
  { additionalProperties: false },
);
export type SignupBody = Static<typeof SignupBody>;

export const LoginBody = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const Vehicle = Type.Object({
  id: Id,
  type: VehicleTypeSchema,
  plate: Type.String(),
  capacityKg: Type.Integer(),
});
export type Vehicle = Static<typeof Vehicle>;

export const DriverProfile = Type.Object({
  vehicle: Vehicle,
  online: Type.Boolean(),
  suspended: Type.Boolean(),
});
export type DriverProfile = Static<typeof DriverProfile>;

/** Who a person is to whoever may see them: the contact details every view of an account shows. */
export const Contact = {
  id: Id,
  email: Type.String(),
  name: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
};

/** An account, without its secrets. */
export const Account = Type.Object({
  ...Contact,
  role: RoleSchema,
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  createdAt: Timestamp,
});
export type Account = Static<typeof Account>;

export const User = Type.Object({
  ...Account.properties,
  driver: Type.Optional(DriverProfile),
});
export type User = Static<typeof User>;

export const AuthResponse = Type.Object({ user: User, token: Type.String() });
export type AuthResponse = Static<typeof AuthResponse>;

export const MeResponse = Type.Object({ user: User });
export type MeResponse = Static<typeof MeResponse>;
