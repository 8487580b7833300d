# shellcheck shell=bash
# Shared by the tools-* scenarios (tracing scripts against real traffic).
# Source it after tests/lib.sh and tests/lib-servers.sh.
#
#   tools_setup          client → online nginx :8080 → target nginx :8081,
#                        module loaded, mapping 8080 added
#   snap NAME            the mapping's counters now, in $WORK/NAME.json
#   d KEY A B            counter KEY in snapshot B minus snapshot A
#   tools_traffic TAG    hey keep-alive (200) and one connection per request
#                        (20 x 200 KB), all answered, replay finished

MAP_PORT=8080
URL=http://$ONLINE_IP:8080

tools_setup() {
	nginx_pair_setup
	module_load
	dmesg_mark
	replctl_in $NS_ONLINE add 8080 $TARGET_IP:8081 >/dev/null || die "replctl add"
}

snap() { rstats_json > "$WORK/$1.json" || die "replctl stats"; }

d() {
	python3 - "$WORK/$2.json" "$WORK/$3.json" "$1" <<-'PY'
	import json, sys
	def get(p):
	    j = json.load(open(p))
	    m = [m for m in j["mappings"] if m["port"] == 8080]
	    return m[0]["stats"][sys.argv[3]] if m else 0
	print(get(sys.argv[2]) - get(sys.argv[1]))
	PY
}

tools_traffic() {
	check_eq "$1: hey keep-alive answered" 200 "$(hey_run $NS_CLIENT -n 200 -c 4 "$URL/small.html")"
	check_eq "$1: hey one-per-connection answered" 20 \
		"$(hey_run $NS_CLIENT -n 20 -c 2 -disable-keepalive "$URL/200k.bin")"
	check "$1: replay finished" wait_replay_idle 8080 180
}
