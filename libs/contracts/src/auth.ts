import { z } from 'zod';

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
  displayName: z.string().trim().min(1).max(100).optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequestSchema>;

export interface UserView {
  id: string;
  username: string;
  displayName: string | null;
  role: Role;
  siteId: string;
  createdAt: string;
}
