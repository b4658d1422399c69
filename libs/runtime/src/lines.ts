// Text that arrives in chunks (event streams, log output, watch responses) cut into whole lines.

/** Keeps the part after the last newline until the rest of its line arrives. */
export class LineSplitter {
  private rest = '';

  /** Calls `line` for each line `text` completes, without its newline. */
  push(text: string, line: (l: string) => void): void {
    let buf = this.rest + text;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      line(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    this.rest = buf;
  }

  /** The unfinished last line (empty when the text ended with a newline), and forgets it. */
  flush(): string {
    const rest = this.rest;
    this.rest = '';
    return rest;
  }
}
