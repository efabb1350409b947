# Input of rec-bash-assoc (traces/recorded.mk): associative arrays, arithmetic and string
# appends in bash, from a fixed linear congruential sequence.
declare -A count
x=7
for ((i = 0; i < 2000; i++)); do
  x=$(( (x * 1103515245 + 12345) % 2147483648 ))
  w="w$((x % 500))"
  count[$w]=$(( ${count[$w]:-0} + 1 ))
  s="$s$w "
done
echo "${#count[@]} ${#s}"
