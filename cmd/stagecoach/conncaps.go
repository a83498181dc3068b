package main

import "syscall"

// Connection caps. Every open connection costs a file descriptor, and so
// do the store's files, log files and backend connections; when the
// process runs out, accept fails on every listener and the store cannot
// open files. A cap per listener, under the process's descriptor limit,
// keeps a flood on the data-plane listener (idle connections, slowloris)
// from reaching the management API on the main listener: at its cap a
// listener stops accepting and new clients wait in the kernel's queue.
//
// Defaults, from the soft RLIMIT_NOFILE (which the Go runtime raises to
// the hard limit at start): reserve fdReserve descriptors for files and
// listeners; the main listener (management, console) gets an eighth of
// the rest, between 16 and 1024; the data plane half of what remains, up
// to 10000 — half, because each proxied request may hold a backend
// connection as well. Without --gateway-listen the main listener carries
// the data plane too and gets the data plane's cap.
const fdReserve = 128

func connectionCaps(mainFlag, dataFlag int, separate bool) (mainCap, dataCap int) {
	budget := fdLimit() - fdReserve
	autoMain := min(max(budget/8, 16), 1024)
	autoData := min(max((budget-autoMain)/2, 16), 10000)
	pick := func(flag, auto int) int {
		switch {
		case flag < 0:
			return 0 // no cap
		case flag == 0:
			return auto
		}
		return flag
	}
	dataCap = pick(dataFlag, autoData)
	if !separate {
		return dataCap, dataCap
	}
	return pick(mainFlag, autoMain), dataCap
}

func fdLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur > 1<<20 {
		return 1 << 20
	}
	return int(rl.Cur)
}
