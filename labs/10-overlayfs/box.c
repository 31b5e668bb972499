/*
 * box — the command line.
 *
 *     box run [OPTIONS] ROOTFS COMMAND [ARG...]
 *
 * Nothing here is a kernel mechanism: it checks what the user asked for and
 * hands a struct options to run_container() (run.c).
 */
#include "box.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
        "Usage: box run [OPTIONS] ROOTFS COMMAND [ARG...]\n"
        "\n"
        "Runs COMMAND in a container made from the directory ROOTFS, forwards\n"
        "stdin, stdout, stderr and signals to it, and exits with its status.\n"
        "\n"
        "Options:\n"
        "  -h, --help              show this help and exit\n"
        "      --stop-timeout SECS after forwarding SIGTERM or SIGINT, wait SECS\n"
        "                          (default 10) before killing the container\n"
        "      --hostname NAME     the container's hostname (default: box)\n"
        "      --veth HOST,CONT    connect the container to the host with a veth pair;\n"
        "                          HOST and CONT are the addresses of the host's end\n"
        "                          and of the container's eth0, e.g.\n"
        "                          169.254.1.1/30,169.254.1.2/30\n"
        "      --veth-name NAME    the name of the host's end (default: box<pid>)\n"
        "      --memory SIZE       memory limit, e.g. 64M or 1G (at least 4M)\n"
        "      --pids N            at most N processes and threads\n"
        "      --cpus FRACTION     CPU time limit in CPUs, e.g. 0.5 (at least 0.01)\n"
        "      --userns START:COUNT when run by root, container ids 0..COUNT-1 are\n"
        "                          host ids START.. (default 100000:65536); run by\n"
        "                          another user, container root is that user\n"
        "      --cap-add CAP       keep capability CAP too (e.g. NET_ADMIN, or ALL)\n"
        "      --cap-drop CAP      drop capability CAP from the default set (or ALL);\n"
        "                          --cap-add and --cap-drop apply in the order given\n"
        "      --seccomp PROFILE   default (refuse dangerous system calls) or unconfined\n"
        "      --layer DIR         a read-only layer on top of ROOTFS (repeatable, the\n"
        "                          last one on top; at most 7)\n"
        "      --state DIR         where containers' writable layers live\n"
        "                          (default /var/lib/box, rootless /tmp/box-UID)\n"
        "      --keep              keep the container's writable layer after it exits\n"
        "\n"
        "Exit status: COMMAND's own status; 125 if box itself fails; 126 if COMMAND\n"
        "cannot be executed; 127 if it is not found; 128+N if it was killed by signal N.\n";

/* What parse_run_options() found. */
enum parsed { PARSED_RUN, PARSED_HELP, PARSED_BAD };

static enum parsed usage_error(const char *what, const char *arg)
{
	fail_msg("run: %s%s%s (see 'box run --help')", what, arg ? " " : "", arg ? arg : "");
	return PARSED_BAD;
}

/* Long options without a short form. */
enum {
	OPT_STOP_TIMEOUT = 256,
	OPT_HOSTNAME,
	OPT_VETH,
	OPT_VETH_NAME,
	OPT_MEMORY,
	OPT_PIDS,
	OPT_CPUS,
	OPT_USERNS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_SECCOMP,
	OPT_LAYER,
	OPT_STATE,
	OPT_KEEP,
};

/* "HOST/LEN,CONTAINER/LEN" into o->veth_host and o->veth_container. */
static int parse_veth(const char *arg, struct options *o)
{
	char host[32];
	const char *comma = strchr(arg, ',');

	if (!comma || (size_t)(comma - arg) >= sizeof(host))
		return -1;
	memcpy(host, arg, (size_t)(comma - arg));
	host[comma - arg] = '\0';
	if (parse_cidr4(host, &o->veth_host) < 0 || parse_cidr4(comma + 1, &o->veth_container) < 0)
		return -1;
	/* Two ends with one address would make a link that nobody can use. */
	if (o->veth_host.addr.s_addr == o->veth_container.addr.s_addr)
		return -1;
	o->veth = true;
	return 0;
}

/* "0.5" into a number of CPUs in [0.01, 1024]; all of the text must be a number. */
static int parse_cpus(const char *arg, double *out)
{
	char *end;
	double v;

	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	v = strtod(arg, &end);
	if (*end || errno || v < 0.01 || v > 1024)
		return -1;
	*out = v;
	return 0;
}

/* "START:COUNT" into o->id_start and o->id_count; ids are 32 bits, and (uid_t)-1
 * means "no id", so the range must end below it. */
static int parse_id_range(const char *arg, struct options *o)
{
	char start[16];
	const char *colon = strchr(arg, ':');
	long s, n;

	if (!colon || (size_t)(colon - arg) >= sizeof(start))
		return -1;
	memcpy(start, arg, (size_t)(colon - arg));
	start[colon - arg] = '\0';
	if (parse_long(start, 1, 4294967294L, &s) < 0 ||
	    parse_long(colon + 1, 1, 4294967294L, &n) < 0 || s + n > 4294967295L)
		return -1;
	o->id_start = (unsigned long)s;
	o->id_count = (unsigned long)n;
	return 0;
}

static enum parsed parse_option(int c, const char *arg, const char *opt, struct options *o)
{
	long n;
	uint64_t mask;

	switch (c) {
	case 'h':
		fputs(usage_text, stdout);
		return PARSED_HELP;
	case OPT_STOP_TIMEOUT:
		if (parse_long(arg, 0, 3600, &n) < 0)
			return usage_error("--stop-timeout wants seconds from 0 to 3600, not", arg);
		o->stop_timeout = (unsigned)n;
		return PARSED_RUN;
	case OPT_HOSTNAME:
		/* sethostname(2) takes at most HOST_NAME_MAX bytes; an empty name is legal
		 * for the kernel but useless to everyone else. */
		if (!*arg || strlen(arg) > HOST_NAME_MAX)
			return usage_error("--hostname wants 1 to 64 characters, not", arg);
		o->hostname = arg;
		return PARSED_RUN;
	case OPT_VETH:
		if (parse_veth(arg, o) < 0)
			return usage_error("--veth wants HOST_ADDR/LEN,CONTAINER_ADDR/LEN, not",
			                   arg);
		return PARSED_RUN;
	case OPT_VETH_NAME:
		/* The kernel's rules for interface names: see dev_valid_name(). */
		if (!*arg || strlen(arg) >= IFNAMSIZ || strpbrk(arg, "/: \t\n") ||
		    !strcmp(arg, ".") || !strcmp(arg, ".."))
			return usage_error(
			        "--veth-name wants 1 to 15 characters, no '/', ':' or space, not",
			        arg);
		strcpy(o->veth_name, arg);
		return PARSED_RUN;
	case OPT_MEMORY:
		/* Below a few MiB not even a shell starts: surely a mistake. */
		if (parse_size(arg, &o->memory) < 0 || o->memory < (4 << 20))
			return usage_error("--memory wants a size of at least 4M (e.g. 64M), not",
			                   arg);
		return PARSED_RUN;
	case OPT_PIDS:
		if (parse_long(arg, 1, 4194304, &o->pids) < 0)
			return usage_error("--pids wants a number from 1 to 4194304, not", arg);
		return PARSED_RUN;
	case OPT_CPUS:
		if (parse_cpus(arg, &o->cpus) < 0)
			return usage_error("--cpus wants a number of CPUs from 0.01 to 1024, not",
			                   arg);
		return PARSED_RUN;
	case OPT_USERNS:
		if (parse_id_range(arg, o) < 0)
			return usage_error(
			        "--userns wants START:COUNT of host ids, START from 1 (never "
			        "the host's root), within 32 bits (e.g. 100000:65536), not",
			        arg);
		return PARSED_RUN;
	case OPT_CAP_ADD:
	case OPT_CAP_DROP:
		if (capability_mask(arg, &mask) < 0)
			return usage_error("unknown capability (see capabilities(7)):", arg);
		if (c == OPT_CAP_ADD)
			o->caps |= mask;
		else
			o->caps &= ~mask;
		return PARSED_RUN;
	case OPT_SECCOMP:
		if (strcmp(arg, "default") != 0 && strcmp(arg, "unconfined") != 0)
			return usage_error("--seccomp wants default or unconfined, not", arg);
		o->seccomp_unconfined = !strcmp(arg, "unconfined");
		return PARSED_RUN;
	case OPT_LAYER:
		if (o->n_layers == MAX_LAYERS - 1)
			return usage_error("too many --layer options (at most 7):", arg);
		o->layers[o->n_layers++] = arg;
		return PARSED_RUN;
	case OPT_STATE:
		if (arg[0] != '/')
			return usage_error("--state wants an absolute path, not", arg);
		o->state = arg;
		return PARSED_RUN;
	case OPT_KEEP:
		o->keep = true;
		return PARSED_RUN;
	case ':':
		return usage_error("missing value for option", opt);
	default:
		return usage_error("unknown option", opt);
	}
}

static enum parsed parse_run_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
	        {"help", no_argument, NULL, 'h'},
	        {"stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT},
	        {"hostname", required_argument, NULL, OPT_HOSTNAME},
	        {"veth", required_argument, NULL, OPT_VETH},
	        {"veth-name", required_argument, NULL, OPT_VETH_NAME},
	        {"memory", required_argument, NULL, OPT_MEMORY},
	        {"pids", required_argument, NULL, OPT_PIDS},
	        {"cpus", required_argument, NULL, OPT_CPUS},
	        {"userns", required_argument, NULL, OPT_USERNS},
	        {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	        {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	        {"seccomp", required_argument, NULL, OPT_SECCOMP},
	        {"layer", required_argument, NULL, OPT_LAYER},
	        {"state", required_argument, NULL, OPT_STATE},
	        {"keep", no_argument, NULL, OPT_KEEP},
	        {NULL, 0, NULL, 0},
	};
	enum parsed r;
	int c;

	/* "+" stops at ROOTFS, so COMMAND's own options stay COMMAND's; ":"
	 * reports a missing value as ':' so that we print the message ourselves. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:h", longopts, NULL)) != -1) {
		r = parse_option(c, optarg, argv[optind - 1], o);
		if (r != PARSED_RUN)
			return r;
	}
	if (optind >= argc)
		return usage_error("missing ROOTFS and COMMAND", NULL);
	o->rootfs = argv[optind++];
	if (optind >= argc)
		return usage_error("missing COMMAND after", o->rootfs);
	o->argv = &argv[optind];
	return PARSED_RUN;
}

/* ROOTFS must be a directory; a wrong path is caught here, before any child exists. */
static int check_rootfs(const char *rootfs)
{
	struct stat st;

	if (stat(rootfs, &st) < 0)
		return fail("stat", rootfs);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return fail("use as ROOTFS", rootfs);
	}
	return 0;
}

/* Rootless: a directory of the user's own under /tmp. */
static const char *default_state_dir(void)
{
	static char dir[64];

	snprintf(dir, sizeof(dir), "/tmp/box-%d", (int)geteuid());
	return dir;
}

int main(int argc, char **argv)
{
	struct options o = {
	        .stop_timeout = 10, .hostname = "box", .id_start = 100000, .id_count = 65536};
	o.caps = default_capabilities();

	ws_set_progname("box");
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		fail_msg("%s%s (usage: box run [OPTIONS] ROOTFS COMMAND [ARG...])",
		         argc < 2 ? "missing command" : "unknown command ",
		         argc < 2 ? "" : argv[1]);
		return EXIT_BOX_ERROR;
	}
	switch (parse_run_options(argc - 1, argv + 1, &o)) {
	case PARSED_HELP:
		return 0;
	case PARSED_BAD:
		return EXIT_BOX_ERROR;
	case PARSED_RUN:
		break;
	}
	if (o.veth_name[0] && !o.veth) {
		fail_msg("run: --veth-name needs --veth (see 'box run --help')");
		return EXIT_BOX_ERROR;
	}
	if (o.veth && !o.veth_name[0])
		snprintf(o.veth_name, sizeof(o.veth_name), "box%d", (int)getpid());
	if (check_rootfs(o.rootfs) < 0)
		return EXIT_BOX_ERROR;
	for (int i = 0; i < o.n_layers; i++)
		if (check_rootfs(o.layers[i]) < 0)
			return EXIT_BOX_ERROR;
	if (!o.state)
		o.state = geteuid() == 0 ? "/var/lib/box" : default_state_dir();
	if (prepare_state(&o) < 0) {
		remove_state(&o);
		return EXIT_BOX_ERROR;
	}
	int status = run_container(&o);

	remove_state(&o);
	return status;
}
