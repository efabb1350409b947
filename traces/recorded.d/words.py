# Input of rec-python3-words (traces/recorded.mk): a word-frequency and index build over text
# made from a fixed linear congruential generator, so every run does the same work.
import json

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pu", "ha", "gi"]


def words(n, seed=12345):
    x = seed
    for _ in range(n):
        x = (x * 1103515245 + 12345) % 2**31
        k = 1 + x % 4
        parts = []
        for _ in range(k):
            x = (x * 1103515245 + 12345) % 2**31
            parts.append(SYLLABLES[x % len(SYLLABLES)])
        yield "".join(parts)


counts = {}
index = {}
lines = []
line = []
for i, w in enumerate(words(12000)):
    counts[w] = counts.get(w, 0) + 1
    index.setdefault(w[:2], []).append(i)
    line.append(w)
    if len(line) == 12:
        lines.append(" ".join(line))
        line = []
top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:50]
for prefix in list(index):
    if len(index[prefix]) % 2:
        del index[prefix]
text = "\n".join(lines)
upper = text.upper().split("\n")
print(json.dumps({"top": top, "prefixes": sorted(index), "lines": len(upper)})[:200])
