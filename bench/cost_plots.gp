# bench/cost_plots.gp: the plots of a two-VM benchmark run, from the .dat
# files bench/cost_report.py wrote. Run from the results directory, once
# per plot:
#   gnuplot -e "term='pngcairo'; plot_name='cost'" cost_plots.gp
# plot_name: cost (extra online CPU per request in % of off's, per
# workload and configuration), saturation (online throughput ÷ off).
if (!exists("term")) term = "png"
if (!exists("plot_name")) plot_name = "cost"
if (term eq "pngcairo") {
	set terminal pngcairo size 960,540 font "sans,10"
} else {
	set terminal png size 960,540
}
set grid ytics
set key below
set datafile missing "NaN"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics noenhanced

if (plot_name eq "cost") {
	set output "cost.png"
	set title "Extra CPU of the online VM per request, in % of its CPU per request without replication (median of rounds)"
	set ylabel "% of the online VM's CPU per request with off"
	set yrange [*:*]
	# One cluster per workload, one bar per configuration (the header
	# line of cost.dat names them).
	n = system("head -n 1 cost.dat | wc -w") - 1
	set key autotitle columnhead noenhanced
	plot for [i = 2:n + 1] "cost.dat" using i:xtic(1) title columnhead(i)
}

if (plot_name eq "saturation") {
	set output "saturation.png"
	set title "Online nginx throughput at saturation (wrk keep-alive 1 KiB), ÷ no replication"
	set ylabel "throughput ÷ off"
	set yrange [0:1.2]
	set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "black"
	set style data boxes
	unset key
	plot "saturation.dat" using 0:2:xtic(1) with boxes
}
