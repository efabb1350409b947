# Strings that grow by appends, in a dict, beside a list that is cut and sorted: Tcl doubles a
# string's buffer as it grows, so the latest strings grow at the heap top, one after another.
set d [dict create]
set l {}
for {set i 0} {$i < 40000} {incr i} {
    set k "key[expr {$i * 7919 % 10007}]"
    dict append d $k "v$i,"
    lappend l [string repeat x [expr {$i % 97}]]
    if {$i % 3 == 0} { set l [lrange $l 1 end] }
}
puts [dict size $d]
puts [llength [lsort $l]]
