/** Offsets in a text to 0-based line/character positions, as vscode.Range counts them (UTF-16 units). */

export interface SourcePosition {
  line: number;
  character: number;
}

export interface SourceRange {
  start: SourcePosition;
  end: SourcePosition;
}

/** Line starts of a text; a line ends at \n, \r\n or a lone \r, as in VS Code and Python. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let k = 0; k < text.length; k++) {
      const ch = text.charCodeAt(k);
      if (ch === 10) this.starts.push(k + 1);
      else if (ch === 13) {
        if (text.charCodeAt(k + 1) === 10) k++;
        this.starts.push(k + 1);
      }
    }
  }

  position(offset: number): SourcePosition {
    // The last line start at or before the offset (binary search: files have thousands of lines).
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.starts[lo] };
  }

  range(from: number, to: number): SourceRange {
    return { start: this.position(from), end: this.position(to) };
  }
}
