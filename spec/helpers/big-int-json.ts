import type { Codec } from 'rx-jsonrpc';

/** JSON whose integers past 2^53 stay exact as BigInt, written as bare digits the way blockchain nodes do. */
export const bigIntJson: Codec = {
  encode: (message) =>
    JSON.stringify(message, (_key, value: unknown) =>
      typeof value === 'bigint' ? `@@${value.toString()}@@` : value,
    ).replace(/"@@(-?\d+)@@"/g, '$1'),
  decode: (text) =>
    JSON.parse(text.replace(/([:,[]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"@@$2@@"'), (_key, value: unknown) =>
      typeof value === 'string' && /^@@-?\d+@@$/.test(value) ? BigInt(value.slice(2, -2)) : value,
    ),
};
