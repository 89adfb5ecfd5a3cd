import { Type, type Static } from '@sinclair/typebox';
import { Id, RoleSchema } from '@loadline/contracts';
import { Topic } from '../../platform/outbox/outbox';

/** Payload of `user.signed_up`: the new account's ID and role, no personal data. */
export const UserSignedUpPayload = Type.Object({ userId: Id, role: RoleSchema });
export type UserSignedUp = Static<typeof UserSignedUpPayload>;

/** Written in the signup transaction. */
export const USER_SIGNED_UP = new Topic('user.signed_up', UserSignedUpPayload);
