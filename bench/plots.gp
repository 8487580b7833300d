# bench/plots.gp: draw one benchmark plot from the .dat files bench/report.py
# wrote. Run from the results directory, once per plot (a plot whose data is
# missing then fails alone):
#   gnuplot -e "term='pngcairo'; plot_name='throughput'" plots.gp
# term: pngcairo when gnuplot has it, else png. plot_name: throughput,
# latency, cpu, stages, fidelity, sweep-p99.
if (!exists("term")) term = "png"
if (!exists("plot_name")) plot_name = "throughput"
if (term eq "pngcairo") {
	set terminal pngcairo size 900,520 font "sans,10"
} else {
	set terminal png size 900,520
}
set grid ytics
set key below
set datafile missing "NaN"
# Bar charts (the first four plots); the line plots override this.
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -20 noenhanced

# 1. Production-path throughput, ratio to no replication.
if (plot_name eq "throughput") {
	set output "throughput.png"
	set title "Online nginx throughput with each configuration (ratio to no replication; 1 = no cost)"
	set yrange [0:*]
	set ylabel "req/s ratio to no replication"
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
	plot "compare.dat" using 2:xtic(1) title "wrk keep-alive", \
	     "" using 3 title "hey one conn/request"
}

# 2. Production-path p99 latency, ratio to no replication.
if (plot_name eq "latency") {
	set output "latency.png"
	set title "Online nginx p99 latency (ratio to no replication; 1 = no cost)"
	set ylabel "p99 ratio to no replication"
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
	set yrange [0:*]
	plot "compare.dat" using 4:xtic(1) title "wrk keep-alive", \
	     "" using 5 title "hey one conn/request"
}

# 3. CPU per replicated request, increment over no replication.
if (plot_name eq "cpu") {
	set output "cpu.png"
	set title "Extra CPU per request at a fixed offered rate (all vCPUs, target nginx excluded)"
	set ylabel "µs per request over no replication"
	set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "black"
	set yrange [*:*]
	plot "compare.dat" using 6:xtic(1) title "one conn/request", \
	     "" using 7 title "keep-alive"
}

# 4. Stage ablation.
if (plot_name eq "stages") {
	set output "stages.png"
	set title "Stage ablation: where the cost is (extra CPU per request at a fixed rate)"
	set ylabel "µs per request over no replication"
	set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lc rgb "black"
	plot "stages.dat" using 4:xtic(1) title "one conn/request", \
	     "" using 5 title "keep-alive"
}

# 5. Fidelity at rising offered rates.
if (plot_name eq "fidelity") {
	set style data linespoints
	set output "fidelity.png"
	set title "Replay fidelity at rising offered rates (replcopy wq)"
	set xlabel "offered rate, req/s (total)"
	set ylabel "%"
	set yrange [0:105]
	set xtics norotate autofreq
	set logscale x 2
	set xrange [*:*]
	set offsets graph 0.05, graph 0.05, 0, 0
	plot "fidelity-ka.dat" using 2:3:xtic(2) title "keep-alive: acked/captured bytes" lw 2 pt 7, \
	     "fidelity-ka.dat" using 2:4 title "keep-alive: target/online requests" lw 2 pt 6 dt 2, \
	     "fidelity-close.dat" using 2:3 title "conn/request: acked/captured bytes" lw 2 pt 5, \
	     "fidelity-close.dat" using 2:4 title "conn/request: target/online requests" lw 2 pt 4 dt 2
}

# 6. Online p99 at rising offered rates, off vs on.
if (plot_name eq "sweep-p99") {
	set style data linespoints
	set output "sweep-p99.png"
	set title "Online nginx p99 latency at rising offered rates"
	set xlabel "offered rate, req/s (total)"
	set ylabel "p99 ms"
	set yrange [0:*]
	set xtics norotate autofreq
	set logscale x 2
	set offsets graph 0.05, graph 0.05, 0, 0
	plot "fidelity-ka.dat" using 2:5:xtic(2) title "keep-alive, off" lw 2 pt 7, \
	     "fidelity-ka.dat" using 2:6 title "keep-alive, replcopy wq" lw 2 pt 6 dt 2, \
	     "fidelity-close.dat" using 2:5 title "conn/request, off" lw 2 pt 5, \
	     "fidelity-close.dat" using 2:6 title "conn/request, replcopy wq" lw 2 pt 4 dt 2
}
