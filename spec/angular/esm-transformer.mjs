// Jest runs the specs as CommonJS; Angular ships ES modules only (fesm2022/*.mjs). This
// transformer turns those into CommonJS with esbuild, as jest-preset-angular does,
// without taking over the transform of the project's own TypeScript.
import { transformSync } from 'esbuild';

// eslint-disable-next-line no-restricted-syntax -- Jest loads an ES module transformer from its default export
export default {
  process(source, sourcefile) {
    const { code, map } = transformSync(source, {
      format: 'cjs',
      loader: 'js',
      target: 'es2022',
      sourcefile,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
