// What travels between the shop app and its server, from the app's side. The server
// (examples/angular/server.ts) types its peers with `Reversed<ShopApi>`.

/** One price move of one symbol. */
export interface Tick {
  readonly symbol: string;
  readonly price: number;
  /** The move since the previous tick of this symbol. */
  readonly change: number;
}

/** What the server says about itself and this connection. */
export interface ServerInfo {
  readonly name: string;
  /** Counts the connections the server has accepted since it started: a reconnect gets a new one. */
  readonly connection: number;
  readonly started: string;
}

export interface Order {
  readonly item: string;
  readonly quantity: number;
}

export interface OrderResult extends Order {
  readonly id: number;
  readonly status: 'placed' | 'cancelled';
}

export interface ShopApi {
  calls: {
    'server.info': () => ServerInfo;
    'order.place': (params: Order) => OrderResult;
  };
  /** The server asks the person before it places an order. */
  serves: { 'ui.confirm': (params: { text: string }) => boolean };
  receives: { 'prices.tick': Tick };
}
