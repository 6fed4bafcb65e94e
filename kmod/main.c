// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvtep: a kernel VXLAN/Geneve tunnel endpoint.
 *
 * Module entry: bring each subsystem up in order, unwind on failure,
 * tear down in reverse.
 */

#include <linux/module.h>
#include <linux/rcupdate.h>

#include "device.h"
#include "fdb.h"
#include "netlink.h"
#include "port.h"

static int __init kvtep_init(void)
{
	int err;

	err = kvtep_fdb_module_init();
	if (err)
		goto err_fdb;

	err = kvtep_port_notifier_init();
	if (err)
		goto err_notifier;

	err = kvtep_device_init();
	if (err)
		goto err_device;

	err = kvtep_netlink_init();
	if (err)
		goto err_netlink;

	pr_info("kvtep " KVTEP_VERSION " loaded\n");
	return 0;

err_netlink:
	kvtep_device_uninit();
err_device:
	kvtep_port_notifier_uninit();
err_notifier:
	kvtep_fdb_module_exit();
err_fdb:
	return err;
}

static void __exit kvtep_exit(void)
{
	kvtep_netlink_uninit();
	kvtep_device_uninit();
	kvtep_port_notifier_uninit();
	/* Wait for RCU callbacks that still point into this module. */
	rcu_barrier();
	kvtep_fdb_module_exit();
	pr_info("kvtep unloaded\n");
}

module_init(kvtep_init);
module_exit(kvtep_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvtep: kernel VXLAN/Geneve tunnel endpoint");
MODULE_AUTHOR("The kvtep authors");
MODULE_VERSION(KVTEP_VERSION);
