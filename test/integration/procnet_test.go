package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// openConnsTo counts this process's established TCP connections to host:port, from /proc: the
// socket inodes of our file descriptors matched against the kernel's TCP table.
func openConnsTo(host string, port int) (int, error) {
	inodes := map[string]bool{}
	fds, err := filepath.Glob("/proc/self/fd/*")
	if err != nil {
		return 0, err
	}
	for _, fd := range fds {
		link, err := os.Readlink(fd)
		if err == nil && strings.HasPrefix(link, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(link, "socket:["), "]")] = true
		}
	}
	f, err := os.Open("/proc/self/net/tcp")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	ip := net.ParseIP(host).To4()
	if ip == nil {
		return 0, fmt.Errorf("%q is not an IPv4 address", host)
	}
	// /proc/net/tcp prints the address as a little-endian 32-bit word.
	want := strings.ToUpper(fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], port))
	n := 0
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 10 {
			continue
		}
		remote, state, inode := fields[2], fields[3], fields[9]
		if remote == want && state == "01" && inodes[inode] { // 01: ESTABLISHED
			n++
		}
	}
	return n, sc.Err()
}

// driverGoroutines counts goroutines whose stack runs in the Cassandra driver.
func driverGoroutines() int {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	n := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "cassandra-gocql-driver") {
			n++
		}
	}
	return n
}
