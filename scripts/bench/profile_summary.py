"""Summarise a py-spy collapsed-stack file: the share of samples each function appears in.

python scripts/bench/profile_summary.py bench/results/profiles/get_by_id-direct-c32.txt
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

# py-spy frames look like "function (path/to/module.py:123)".
_FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^:]*)(?::\d+)?\)$")


def summarise(path: Path, top: int = 40) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [_name(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += count
        own[frames[-1]] += count
    lines = [f"{total} samples; inclusive share (own share) per function"]
    for frame, count in inclusive.most_common(top):
        lines.append(f"{100 * count / total:5.1f}% ({100 * own[frame] / total:4.1f}%)  {frame}")
    return "\n".join(lines)


def _name(frame: str) -> str:
    match = _FRAME.match(frame)
    if match is None:
        return frame
    module = match["file"].split("site-packages/")[-1].split("/src/")[-1]
    return f"{match['function']} ({module})"


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1])))
