// The import rules of lib/ (npm run lint:imports): imports only go down the layers, and
// nothing imports itself back, type-only imports included.
//   protocol, operators   messages, errors, parsing; RxJS operators (import nothing of ours)
//   transports            links (import protocol)
//   peer                  the peer (imports protocol, transports, operators), in parts:
//     collections           hot-path Map and Set shapes, deadline lines (import nothing of the peer)
//     link/                 the transport's life, and what goes onto it (outbox, encoding)
//     caller/, answerer/    calls we make, calls we answer: each imports link/, never the other
//     incoming/             what arrives, routed to the caller and the answerer
//     connect.ts, outgoing.ts, feature-values.ts   assemble the parts; no part imports them
//     peer.ts, api.ts, options.ts, dialect.ts, state.ts, trace.ts   the vocabulary every part
//                           names; they import no part but collections (which import nothing of the peer)
//   features              built on the Peer (subscriptions, progress, batches, the proxy): import
//                         protocol, operators and the public types of the peer and transports,
//                         never the peer's inside
//   node, angular         entries for a platform (import anything below, not each other)
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'A cycle, type-only imports counted: move what both sides need into one lower file.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { circular: true },
    },
    {
      name: 'protocol-and-operators-import-nothing-of-ours',
      severity: 'error',
      from: { path: '^lib/(protocol|operators)/' },
      to: { path: '^lib/', pathNot: '^lib/$1/' },
    },
    {
      name: 'transports-import-only-protocol',
      severity: 'error',
      from: { path: '^lib/transports/' },
      to: { path: '^lib/', pathNot: '^lib/(protocol|transports)/' },
    },
    {
      name: 'peer-imports-only-below',
      severity: 'error',
      from: { path: '^lib/peer/' },
      to: { path: '^lib/', pathNot: '^lib/(protocol|transports|operators|peer)/' },
    },
    {
      name: 'peer-collections-import-no-part',
      severity: 'error',
      from: { path: '^lib/peer/collections/' },
      to: { path: '^lib/peer/', pathNot: '^lib/peer/collections/' },
    },
    {
      name: 'peer-link-is-below-the-other-parts',
      severity: 'error',
      from: { path: '^lib/peer/link/' },
      to: { path: '^lib/peer/(caller|answerer|incoming)/' },
    },
    {
      name: 'caller-and-answerer-stay-apart',
      comment: 'The calls this peer makes and the calls it answers share only the link and the vocabulary.',
      severity: 'error',
      from: { path: '^lib/peer/(caller|answerer)/' },
      to: { path: '^lib/peer/(caller|answerer|incoming)/', pathNot: '^lib/peer/$1/' },
    },
    {
      name: 'no-part-imports-the-assembly',
      severity: 'error',
      from: { path: '^lib/peer/', pathNot: '^lib/peer/(connect|peer-parts)\\.ts$' },
      to: { path: '^lib/peer/(connect|peer-parts|outgoing|feature-values)\\.ts$' },
    },
    {
      name: 'peer-vocabulary-imports-no-part',
      comment:
        'peer.ts, api.ts, options.ts... are what every part names: they import none of the parts, types included (collections, which import nothing of the peer, aside).',
      severity: 'error',
      from: { path: '^lib/peer/(peer|api|options|dialect|state|trace)\\.ts$' },
      to: { path: '^lib/peer/(link|caller|answerer|incoming)/' },
    },
    {
      name: 'features-use-only-the-public-peer',
      comment: 'A feature is built on what Peer exposes: the peer and its API types, the dialect, the options.',
      severity: 'error',
      from: { path: '^lib/features/' },
      to: {
        path: '^lib/',
        pathNot:
          '^lib/(protocol/|operators/|features/|transports/transport\\.ts$|peer/(peer|api|dialect|options|state)\\.ts$)',
      },
    },
    {
      name: 'platform-entries-stay-apart',
      severity: 'error',
      from: { path: '^lib/(node|angular)/' },
      to: { path: '^lib/(node|angular)/', pathNot: '^lib/$1/' },
    },
    {
      name: 'entries-are-imported-by-no-one',
      comment: 'An entry file lists the public API; the code inside lib/ imports the file it needs.',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^lib/(index|protocol-entry|node/index|angular/index)\\.ts$' },
    },
    {
      name: 'lib-imports-no-tests-or-tools',
      severity: 'error',
      from: { path: '^lib/' },
      to: { path: '^(spec|bench|scripts|examples)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
