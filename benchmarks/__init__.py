"""Speed figures for Gongkai, printed by `make bench`. Each figure comes with a baseline
measured in the same run on the same machine, since only the ratio means much on a
shared machine."""
