/* A fork that takes namespace flags. */
#include "ws.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t clone_process(unsigned long flags)
{
	/*
	 * glibc's clone() wants a stack and a function; the raw system call with a
	 * NULL stack behaves like fork(): the child returns from here on a copy of
	 * the parent's stack. This is safe because box is single-threaded.
	 * (x86-64 argument order: flags, stack, parent_tid, child_tid, tls.)
	 */
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, 0);
}
