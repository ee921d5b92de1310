import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { refreshWhileVisible } from '../src/ui/refresh';

// A document stand-in: a real EventTarget whose visibility the test sets.
class Page extends EventTarget {
  visibilityState: DocumentVisibilityState = 'visible';
  show(state: DocumentVisibilityState) {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('refreshing while visible', () => {
  it('refreshes every period while the page is visible', () => {
    const page = new Page();
    const refresh = vi.fn();
    const stop = refreshWhileVisible(refresh, 30_000, page);
    vi.advanceTimersByTime(29_999);
    expect(refresh).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(refresh).toHaveBeenCalledTimes(3);
    stop();
    vi.advanceTimersByTime(300_000);
    expect(refresh).toHaveBeenCalledTimes(3);
  });

  it('never refreshes while hidden, and at once when shown again', () => {
    const page = new Page();
    const refresh = vi.fn();
    const stop = refreshWhileVisible(refresh, 30_000, page);
    page.show('hidden');
    vi.advanceTimersByTime(600_000);
    expect(refresh).toHaveBeenCalledTimes(0);
    page.show('visible');
    expect(refresh).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(30_000);
    expect(refresh).toHaveBeenCalledTimes(2);
    stop();
    page.show('visible');
    expect(refresh).toHaveBeenCalledTimes(2);
  });

  it('starts idle in a hidden page', () => {
    const page = new Page();
    page.visibilityState = 'hidden';
    const refresh = vi.fn();
    refreshWhileVisible(refresh, 30_000, page);
    vi.advanceTimersByTime(600_000);
    expect(refresh).toHaveBeenCalledTimes(0);
  });
});
