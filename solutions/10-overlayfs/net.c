// STEP 05 BEGIN
/*
 * net.c — the container's own network stack, and an optional cable to the host.
 *
 * In a new network namespace (CLONE_NEWNET) there is one interface, lo, and it
 * is down. The container brings it up. With --veth, box also lays a virtual
 * cable: a veth pair is two interfaces where what goes into one comes out of
 * the other. box creates the pair with one end already inside the container
 * (named eth0), gives both ends their addresses and brings them up. When the
 * container's namespace dies, its end dies with it, and a veth end never
 * outlives its peer: the host's end disappears too.
 *
 * Everything goes through rtnetlink, the kernel's routing socket, with libnl
 * (the library behind iproute2-like tools, NetworkManager and others).
 */
#include "box.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

/* Reports a libnl error in box's one-line shape. */
static int nl_fail(const char *op, const char *obj, int err)
{
	if (err == -NLE_PERM) {
		errno = EPERM;
		return fail(op, obj);
	}
	return fail_msg("%s %s: %s", op, obj, nl_geterror(err));
}

/* A connected rtnetlink socket in the caller's network namespace, or NULL. */
static struct nl_sock *route_socket(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		errno = ENOMEM;
		fail("allocate", "netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err < 0) {
		nl_fail("connect", "rtnetlink socket", err);
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

/* ip link set NAME up */
static int set_link_up(struct nl_sock *sk, const char *name)
{
	struct rtnl_link *link, *change;
	int err;

	err = rtnl_link_get_kernel(sk, 0, name, &link);
	if (err < 0)
		return nl_fail("find interface", name, err);
	change = rtnl_link_alloc();
	if (!change) {
		rtnl_link_put(link);
		errno = ENOMEM;
		return fail("allocate", "link change");
	}
	rtnl_link_set_flags(change, IFF_UP);
	err = rtnl_link_change(sk, link, change, 0);
	rtnl_link_put(change);
	rtnl_link_put(link);
	if (err < 0)
		return nl_fail("bring up interface", name, err);
	return 0;
}

/* ip addr add ADDR/PREFIX dev NAME */
static int add_address(struct nl_sock *sk, const char *name, const struct cidr4 *cidr)
{
	char text[32];
	unsigned index = if_nametoindex(name);
	struct rtnl_addr *addr;
	struct nl_addr *local;
	int err;

	if (!index)
		return fail("find interface", name);
	addr = rtnl_addr_alloc();
	local = nl_addr_build(AF_INET, &cidr->addr, sizeof(cidr->addr));
	if (!addr || !local) {
		rtnl_addr_put(addr);
		nl_addr_put(local);
		errno = ENOMEM;
		return fail("allocate", "address");
	}
	nl_addr_set_prefixlen(local, (int)cidr->prefix);
	rtnl_addr_set_ifindex(addr, (int)index);
	err = rtnl_addr_set_local(addr, local);
	if (err >= 0)
		err = rtnl_addr_add(sk, addr, 0);
	nl_addr_put(local);
	rtnl_addr_put(addr);
	if (err < 0)
		return nl_fail(format_cidr4(cidr, text, sizeof(text)), name, err);
	return 0;
}

/* Gives interface NAME its address and brings it up. */
static int configure_interface(struct nl_sock *sk, const char *name, const struct cidr4 *cidr)
{
	if (add_address(sk, name, cidr) < 0)
		return -1;
	return set_link_up(sk, name);
}

/*
 * Whether this box created the host's end: only then may it delete it. (A name
 * that already existed, say --veth-name lo, makes the creation fail instead.)
 */
static bool veth_created;

int connect_veth(const struct options *o, pid_t child)
{
	struct nl_sock *sk;
	int err = 0;

	if (!o->veth)
		return 0;
	sk = route_socket();
	if (!sk)
		return -1;
	// LESSON 05 BEGIN: lay the cable: a veth pair, one end in the container
	// HINT: rtnl_link_veth_add(sk, host_name, peer_name, pid) (libnl) creates the pair
	// HINT: and moves the peer into the network namespace of process pid at once.
	// HINT: Name the host end o->veth_name and the container end CONTAINER_IFNAME;
	// HINT: then configure_interface() the host end with o->veth_host.
	err = rtnl_link_veth_add(sk, o->veth_name, CONTAINER_IFNAME, child);
	if (err < 0)
		err = nl_fail("create veth pair", o->veth_name, err);
	else {
		veth_created = true;
		err = configure_interface(sk, o->veth_name, &o->veth_host);
	}
	// LESSON 05 END
	nl_socket_free(sk);
	return err;
}

void disconnect_veth(const struct options *o)
{
	struct rtnl_link *link;
	struct nl_sock *sk;
	int err;

	/*
	 * The pair would go away with the container's network namespace, but the
	 * kernel tears namespaces down in the background, a moment later. Deleting
	 * the host's end (which takes its peer along) makes "gone when box exits"
	 * exact.
	 */
	if (!veth_created)
		return;
	sk = route_socket();
	if (!sk)
		return;
	link = rtnl_link_alloc();
	if (link) {
		rtnl_link_set_name(link, o->veth_name);
		err = rtnl_link_delete(sk, link);
		/* Already gone with the namespace: that is fine too. */
		if (err < 0 && err != -NLE_NODEV && err != -NLE_OBJ_NOTFOUND)
			nl_fail("delete veth", o->veth_name, err);
		rtnl_link_put(link);
	}
	nl_socket_free(sk);
	veth_created = false;
}

int setup_network(const struct options *o)
{
	struct nl_sock *sk = route_socket();
	int err = 0;

	if (!sk)
		return -1;
	// LESSON 05 BEGIN: bring up the container's interfaces
	// HINT: lo is down in a new network namespace: set_link_up(sk, "lo").
	// HINT: With --veth (o->veth), the parent has moved CONTAINER_IFNAME in:
	// HINT: configure_interface() it with o->veth_container.
	err = set_link_up(sk, "lo");
	if (err == 0 && o->veth)
		err = configure_interface(sk, CONTAINER_IFNAME, &o->veth_container);
	// LESSON 05 END
	nl_socket_free(sk);
	return err;
}
// STEP 05 END
