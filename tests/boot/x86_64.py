# QEMU parameters for kunit.py (--qemu_config): an x86_64 PC booted with
# qboot.  The kernel is built with PARAVIRT_XXL (selected by XEN_PV), the
# configuration in which x86 selects ARCH_HAS_LAZY_MMU_MODE, and runs on
# bare (emulated) hardware, so the paravirt callbacks are the native ones.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_HYPERVISOR_GUEST=y
CONFIG_PARAVIRT=y
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_PARAVIRT_XXL=y
# CONFIG_ACPI is not set
# CONFIG_POWER_SUPPLY is not set
# CONFIG_XEN_BALLOON is not set
# CONFIG_XEN_GNTDEV is not set''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0',
			   extra_qemu_params=['-bios', 'qboot.rom'])
