/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_GFP_H
#define _LINUX_GFP_H

#define __get_free_page(gfp_mask) __get_free_pages((gfp_mask), 0)

#endif
