// A TypeDoc plugin: names each entry point's module by its import path (`rx-jsonrpc`,
// `rx-jsonrpc/node`, `rx-jsonrpc/angular`) rather than by its file (`index`, `node`, `angular`).
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      const name = module.name.replace(/-entry$/, '');
      module.name = name === 'index' ? 'rx-jsonrpc' : `rx-jsonrpc/${name}`;
    }
  });
}
