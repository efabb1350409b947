# Input of rec-jq-group (traces/recorded.mk): builds 30,000 objects, groups them by key and
# concatenates strings per group.
[range(0; 30000) | {k: (. % 97 | tostring), v: ., s: ("x" * (. % 13))}]
| group_by(.k)
| map({key: .[0].k, n: length, t: (map(.s) | add)})
| length
