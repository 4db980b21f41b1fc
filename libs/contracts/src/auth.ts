import { z } from 'zod';
import { phoneNumber } from './phone.js';
import { singleLineText } from './text.js';

export const ROLES = ['admin', 'commander', 'dispatcher', 'duty_officer'] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

export const LoginRequestSchema = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequestSchema>;

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: UserView;
}

/** Claims carried in every access token; the server re-checks role and site on each request. */
export interface AccessTokenClaims {
  sub: string;
  username: string;
  role: Role;
  siteId: string;
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,64}$/;

export const CreateUserRequestSchema = z.strictObject({
  username: z.string().regex(USERNAME_PATTERN, 'must be 3-64 letters, digits, "_", "." or "-"'),
  password: z.string().min(8, 'must be at least 8 characters').max(256),
  role: RoleSchema,
  siteId: z.uuid(),
  displayName: singleLineText(100).optional(),
  /** a call-back number the user's directives show to the duty rooms */
  phone: phoneNumber().optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

/** PATCH /users/:id: disable or enable a user, change their role or site (at least one). */
export const UpdateUserRequestSchema = z
  .strictObject({
    disabled: z.boolean().optional(),
    role: RoleSchema.optional(),
    siteId: z.uuid().optional(),
  })
  .refine((r) => r.disabled !== undefined || r.role !== undefined || r.siteId !== undefined, {
    message: 'give at least one of disabled, role, siteId',
  });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequestSchema>;

export interface UserView {
  id: string;
  username: string;
  displayName: string | null;
  /** call-back number; absent from hubs before it was added */
  phone?: string | null;
  role: Role;
  siteId: string;
  createdAt: string;
  /** a disabled user cannot log in, and their open sockets were closed */
  disabled: boolean;
}
