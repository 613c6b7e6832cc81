// W9 and W10's limit: the plain `ws` server of bare-ws-many.ts, silent (an idle connection
// costs it no listener).
import { bareWsServer } from './bare-ws-many';

bareWsServer();
