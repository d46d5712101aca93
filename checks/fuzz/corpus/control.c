static int control(struct walk *w, int n)
{
	int i, err = 0;

	lazy_mmu_mode_enable();
	for (i = 0; i < n; i++) {
		switch (w->kind[i]) {
		case 0:
			continue;
		case 1 ... 3:
			if (w->stop)
				goto out;
			break;
		default:
			do {
				err = step(w);
			} while (err == -EAGAIN);
		}
		if (err)
			break;
	}
	for_each_pte(w, pte) {
		if (!pte)
			return -EINVAL;
	}
out:
	lazy_mmu_mode_disable();
	return err ? : w->done ? 1 : 0;
}
