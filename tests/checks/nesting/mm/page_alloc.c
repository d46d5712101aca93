// SPDX-License-Identifier: GPL-2.0
/*
 * A page allocator in miniature: the hook after an allocation maps the
 * page in the linear map again (DEBUG_PAGEALLOC).
 */
#include <linux/pgtable.h>

static void post_alloc_hook(struct page *page, unsigned int order, gfp_t gfp)
{
	set_page_refcounted(page);
	kernel_map_pages(page, 1 << order, 1);
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = rmqueue_fast(gfp, order);

	if (page)
		post_alloc_hook(page, order, gfp);
	return page;
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp & ~__GFP_HIGHMEM, order);

	return page ? (unsigned long)page_address(page) : 0;
}
