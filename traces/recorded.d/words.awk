# Input of rec-mawk-words (traces/recorded.mk): associative arrays of words from srand(7)'s
# fixed sequence, counted, joined, split and partly deleted.
BEGIN {
    n = split("ka lo mi ne ru sa ti vo ze pu ha gi", syl, " ")
    srand(7)
    for (i = 0; i < 60000; i++) {
        w = ""
        k = 1 + int(rand() * 4)
        for (j = 0; j < k; j++) w = w syl[1 + int(rand() * n)]
        count[w]++
        line = line " " w
        if (i % 12 == 11) { lines[i] = line; line = "" }
    }
    for (l in lines) { m = split(lines[l], f, " "); total += m; if (m % 2) delete lines[l] }
    for (w in count) if (count[w] < 3) delete count[w]
    c = 0
    for (w in count) c++
    print total, c
}
