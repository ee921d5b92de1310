// A router of our own (about 60 lines) instead of preact-iso: the app needs path patterns, history
// navigation and focus management on every route change, nothing else, and every kilobyte counts
// against the low-bandwidth budget (docs/web.md).
import type { ComponentChildren } from 'preact';
import { signal, useSignal } from './ui/signal';

export const path = signal(typeof location !== 'undefined' ? location.pathname : '/');

export function navigate(to: string, replace = false) {
  if (to === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  path.set(location.pathname);
}

if (typeof window !== 'undefined') {
  window.addEventListener('popstate', () => path.set(location.pathname));
}

// "/room/:id" against "/room/12" -> { id: "12" }, or null.
export function match(pattern: string, actual: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const a = actual.split('/').filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) params[p[i].slice(1)] = decodeURIComponent(a[i]);
    else if (p[i] !== a[i]) return null;
  }
  return params;
}

export function usePath(): string {
  return useSignal(path);
}

// An in-app link: keeps the page, pushes history.
export function Link(props: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props['aria-current']}
      onClick={(e) => {
        if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
