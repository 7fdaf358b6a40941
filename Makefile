# Shortcuts; the scripts in tools/ are the real thing.
.PHONY: setup test demo bench clean
setup:
	bash tools/setup.sh
test:
	bash tools/test.sh
demo:
	bash tools/demo.sh
bench:
	bash tools/setup.sh && . tools/env.sh && python tools/bench_node.py
clean:
	rm -rf build install log .ws
