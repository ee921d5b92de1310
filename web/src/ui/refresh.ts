// Keeps a page's data fresh while someone is looking at it: `refresh` every `everyMs` while the
// document is visible, at once when it becomes visible again, and never while it is hidden (a
// tab in the background costs the server nothing).

// What refreshWhileVisible needs of `document` (a real EventTarget in unit tests).
export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

// Starts refreshing; returns the function that stops it. The first call is `everyMs` after the
// start (the page has just loaded its data).
export function refreshWhileVisible(refresh: () => void, everyMs: number,
  source: VisibilitySource = document): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const arm = () => {
    if (timer === null) timer = setInterval(refresh, everyMs);
  };
  const disarm = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  const onChange = () => {
    if (source.visibilityState === 'visible') {
      refresh();
      disarm(); // the next one a full period after this
      arm();
    } else {
      disarm();
    }
  };
  source.addEventListener('visibilitychange', onChange);
  if (source.visibilityState === 'visible') arm();
  return () => {
    source.removeEventListener('visibilitychange', onChange);
    disarm();
  };
}
