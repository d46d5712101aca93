# QEMU parameters for kunit.py (--qemu_config): a 64-bit pseries guest on a
# POWER8 CPU, so that the kernel runs the hash MMU ("hash-mmu: Initializing
# hash mmu with SLB" in the boot log), whose TLB batch is what the lazy MMU
# mode batches on powerpc.  The kernel has no radix MMU support, so it
# cannot pick radix whatever the CPU; no powernv, no NUMA, to build less.
# The console is the pseries hypervisor console.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
CONFIG_PPC64=y
CONFIG_CPU_BIG_ENDIAN=y
CONFIG_PPC_PSERIES=y
CONFIG_PPC_64S_HASH_MMU=y
# CONFIG_PPC_RADIX_MMU is not set
# CONFIG_PPC_POWERNV is not set
# CONFIG_NUMA is not set
# CONFIG_MACINTOSH_DRIVERS is not set
# CONFIG_HID is not set
# CONFIG_POWER_SUPPLY is not set
CONFIG_HVC_CONSOLE=y''',
			   qemu_arch='ppc64',
			   kernel_path='vmlinux',
			   kernel_command_line='console=hvc0',
			   extra_qemu_params=['-M', 'pseries', '-cpu', 'power8'])
