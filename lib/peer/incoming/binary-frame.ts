import { ProtocolError } from '../../protocol/errors';

/**
 * The text of a binary frame, which JSON-RPC peers are not meant to send: decoded as UTF-8
 * with `binaryFrames: 'utf8'`, else (or when it is not UTF-8) reported and dropped.
 */
export function binaryFrameText(
  frame: Uint8Array,
  mode: 'report' | 'utf8',
  report: (error: ProtocolError) => void,
): string | undefined {
  if (mode === 'utf8') {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(frame);
    } catch (cause) {
      report(new ProtocolError(`Binary frame of ${frame.byteLength} bytes is not UTF-8`, { cause }));
      return undefined;
    }
  }
  report(
    new ProtocolError(
      `Binary frame of ${frame.byteLength} bytes ignored: JSON-RPC frames are text (binaryFrames: 'utf8' decodes them)`,
    ),
  );
  return undefined;
}
