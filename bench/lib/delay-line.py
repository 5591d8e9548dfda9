"""Userspace delay line for bench:live's --rtt-ms where the kernel has no netem qdisc.

Python, not TypeScript: Node cannot issue the TUNSETIFF ioctl. An L3 switch between TUN devices:
one for the servers (SERVER_TUN, in the benchmark's namespace) and one per viewer (moved by the
caller into the viewer's namespace after "ready"). Every IPv4 packet is forwarded by destination
address, held half_delay_ms for each viewer access link it crosses: viewer <-> server RTT = rtt,
viewer <-> viewer RTT = 2 x rtt. Usage: delay-line.py HALF_DELAY_MS SERVER_TUN VIEWER_TUN=IP ...
Exits when stdin closes (the benchmark ended, even by a crash); its TUN devices vanish with it.
"""
import fcntl
import heapq
import os
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    half = float(sys.argv[1]) / 1000.0
    server_fd = open_tun(sys.argv[2])
    by_ip = {}
    viewer_fds = set()
    for spec in sys.argv[3:]:
        name, ip = spec.split("=")
        fd = open_tun(name)
        by_ip[bytes(int(p) for p in ip.split("."))] = fd
        viewer_fds.add(fd)
    print("ready", flush=True)
    fds = [server_fd, *viewer_fds]
    stdin = sys.stdin.fileno()
    queue = []
    seq = 0
    while True:
        timeout = max(0.0, queue[0][0] - time.monotonic()) if queue else None
        readable, _, _ = select.select([stdin, *fds], [], [], timeout)
        now = time.monotonic()
        for fd in readable:
            if fd == stdin:
                if not os.read(stdin, 4096):
                    return
                continue
            while True:
                try:
                    pkt = os.read(fd, 65535)
                except BlockingIOError:
                    break
                if len(pkt) < 20 or pkt[0] >> 4 != 4:
                    continue
                dst = by_ip.get(pkt[16:20], server_fd)
                hops = (fd in viewer_fds) + (dst in viewer_fds)
                seq += 1
                heapq.heappush(queue, (now + hops * half, seq, dst, pkt))
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, dst, pkt = heapq.heappop(queue)
            try:
                os.write(dst, pkt)
            except OSError:
                pass  # device down or queue full: the packet is lost, like on a wire


if __name__ == "__main__":
    main()
