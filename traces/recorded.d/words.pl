# Input of rec-perl-words (traces/recorded.mk): hashes, arrays, regexes and string building over
# words made by a fixed linear congruential generator.
use strict;
use warnings;

my @syl = qw(ka lo mi ne ru sa ti vo ze pu ha gi);
my $x = 4242;
sub rnd { $x = ($x * 1103515245 + 12345) % 2147483648; return $x; }

my (%count, %byfirst, @lines, @line);
for my $i (1 .. 40000) {
    my $w = join("", map { $syl[rnd() % @syl] } 1 .. 1 + rnd() % 4);
    $count{$w}++;
    push @{ $byfirst{substr($w, 0, 1)} }, $w;
    push @line, $w;
    if (@line == 10) { push @lines, join(" ", @line); @line = (); }
}
my $matches = 0;
for my $l (@lines) {
    (my $t = $l) =~ s/(ka|lo)(\w*)/\U$1\E$2/g;
    $matches++ while $t =~ /\b[A-Z]+\w+\b/g;
}
delete $byfirst{$_} for grep { @{ $byfirst{$_} } % 2 } keys %byfirst;
my @top = (sort { $count{$b} <=> $count{$a} or $a cmp $b } keys %count)[0 .. 9];
print scalar(@lines), " lines, $matches matches, top: @top\n";
