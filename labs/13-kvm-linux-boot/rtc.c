/*
 * rtc.c — the PC's CMOS clock (MC146818 RTC), I/O ports 0x70 (index) and 0x71
 * (data): just enough for Linux's rtc_cmos driver to find a working clock that
 * tells the host's time. Without it the driver waits, in vain, for the "update in
 * progress" bit of an absent chip to clear before it gives up: seconds of the boot
 * under nested KVM. (The kernel's own clock comes from KVM: kvm-clock.)
 *
 * The clock is read from the host whenever the guest reads a time register;
 * writes to the time are ignored, and there are no alarms or interrupts.
 */
#include "vmm.h"

#include <string.h>
#include <time.h>

enum {
	RTC_SECONDS = 0x00,
	RTC_MINUTES = 0x02,
	RTC_HOURS = 0x04,
	RTC_DAY_OF_WEEK = 0x06,
	RTC_DAY_OF_MONTH = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,
	RTC_REG_A = 0x0a, /* bit 7: update in progress */
	RTC_REG_B = 0x0b, /* bit 1: 24-hour clock; bit 2 clear: values in BCD */
	RTC_REG_C = 0x0c, /* interrupt flags */
	RTC_REG_D = 0x0d, /* bit 7: the battery is good, the time valid */
	RTC_CENTURY = 0x32,
};

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

void rtc_init(struct rtc *r)
{
	memset(r, 0, sizeof(*r));
	r->cmos[RTC_REG_A] = 0x26; /* 32.768 kHz time base, 1024 Hz rate, no update in progress */
	r->cmos[RTC_REG_B] = 0x02;
	r->cmos[RTC_REG_D] = 0x80;
}

void rtc_write(struct rtc *r, unsigned port, uint8_t value)
{
	if (port == 0)
		r->index = value & 0x7f; /* bit 7 masks NMIs: nothing to mask here */
	else if (r->index >= RTC_REG_A && r->index != RTC_REG_C && r->index != RTC_REG_D)
		r->cmos[r->index] = value; /* the time itself stays the host's */
}

uint8_t rtc_read(struct rtc *r, unsigned port)
{
	time_t now = time(NULL);
	struct tm tm;

	if (port == 0)
		return 0xff; /* the index register is write-only */
	if ((r->index >= RTC_REG_A && r->index != RTC_CENTURY) || !gmtime_r(&now, &tm))
		return r->cmos[r->index];
	switch (r->index) {
	case RTC_SECONDS:
		return bcd(tm.tm_sec);
	case RTC_MINUTES:
		return bcd(tm.tm_min);
	case RTC_HOURS:
		return bcd(tm.tm_hour);
	case RTC_DAY_OF_WEEK:
		return bcd(tm.tm_wday + 1);
	case RTC_DAY_OF_MONTH:
		return bcd(tm.tm_mday);
	case RTC_MONTH:
		return bcd(tm.tm_mon + 1);
	case RTC_YEAR:
		return bcd(tm.tm_year % 100);
	case RTC_CENTURY:
		return bcd(19 + tm.tm_year / 100);
	default:
		return r->cmos[r->index];
	}
}
