// Web Worker: solves one challenge in slices of `slice` tries, posting progress between them so
// that the page can give up after expires_at (docs/api.md, "Proof of work", step 5).
import { searchProof } from './solve';

interface SolveRequest {
  challenge: string;
  difficulty: number;
  slice: number;
}

self.onmessage = (event: MessageEvent<SolveRequest>) => {
  const { challenge, difficulty, slice } = event.data;
  let from = 0;
  const step = () => {
    const proof = searchProof(challenge, difficulty, from, slice);
    if (proof !== null) {
      self.postMessage({ proof, tries: from + slice });
      return;
    }
    from += slice;
    self.postMessage({ progress: from });
    setTimeout(step, 0);
  };
  step();
};
