// Who is signed in. undefined: not known yet (the first GET /me is in flight); null: signed out.
import type { Principal, Role } from './api/types';
import { signal } from './ui/signal';

export const user = signal<Principal | null | undefined>(undefined);

export function homeFor(role: Role): string {
  switch (role) {
    case 'student':
      return '/student';
    case 'guardian':
      return '/guardian';
    case 'teacher':
      return '/teacher';
    default:
      return '/admin';
  }
}
