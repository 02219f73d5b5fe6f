// Classic scripts the page needs only for some views (elkjs lays out a statechart, uPlot draws the price chart),
// loaded from the daemon the first time they are needed, so the page opens without compiling 1.6 MB of layout code.
const loading = new Map();

/** Resolves once `/inspector/assets/<name>` has run (once per page). */
export function loadScript(name) {
  let done = loading.get(name);
  if (!done) {
    done = new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = `/inspector/assets/${name}`;
      script.onload = () => resolve();
      script.onerror = () => {
        loading.delete(name);
        reject(new Error(`could not load ${name}`));
      };
      document.head.append(script);
    });
    loading.set(name, done);
  }
  return done;
}
