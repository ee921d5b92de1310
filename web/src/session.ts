// Who is signed in. undefined: not known yet (the first GET /me is in flight); null: signed out.
import type { Me, Role } from './api/types';
import { applyUserLang, districtZone } from './i18n';
import { signal } from './ui/signal';

export const user = signal<Me | null | undefined>(undefined);

// Signs the app in as `me` (GET /api/v1/me): the district's zone and the user's saved language
// take effect before any page renders a date or a word.
export function setUser(me: Me | null) {
  if (me) {
    districtZone.set(me.time_zone);
    applyUserLang(me.language);
  }
  user.set(me);
}

export function homeFor(role: Role): string {
  switch (role) {
    case 'student':
      return '/student';
    case 'guardian':
      return '/guardian';
    case 'teacher':
      return '/teacher';
    case 'school_admin':
      // Finding people is a school admin's daily work; the operations dashboard (read-only, no
      // addresses) is one link away in the navigation.
      return '/admin/users';
    default:
      return '/admin';
  }
}
