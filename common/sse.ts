/** The protocol's transport: server-sent events, one JSON AgentEvent a `data:` frame. */
import type { AgentEvent } from './protocol.ts';

/** One SSE frame. */
export function encodeSse(event: AgentEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}

/** Incremental SSE parser: feed it text as it arrives, get whole events back. */
export class SseParser {
  private buffer = '';

  push(chunk: string): AgentEvent[] {
    this.buffer += chunk.replace(/\r\n/g, '\n');
    const out: AgentEvent[] = [];
    for (let end = this.buffer.indexOf('\n\n'); end >= 0; end = this.buffer.indexOf('\n\n')) {
      const frame = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const data = frame
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (!data) continue; // comments (keep-alives) and empty frames
      const parsed: unknown = JSON.parse(data);
      if (parsed && typeof parsed === 'object' && typeof (parsed as { type?: unknown }).type === 'string')
        out.push(parsed as AgentEvent);
    }
    return out;
  }

  /** Whatever is left when the stream ends (an unterminated frame). */
  get rest(): string {
    return this.buffer;
  }
}
