/*
 * Unit tests of step 13's devices, which need no KVM: the 16550A UART of the
 * guest's console (solutions/13-kvm-linux-boot/serial.c) and the CMOS clock
 * (rtc.c). Register offsets and bits are those of Linux's 8250 driver
 * (include/uapi/linux/serial_reg.h), which is what talks to them in the guest.
 */
#include "vmm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#undef fail
#undef fail_msg

// STEP: 13-kvm-linux-boot serial.c rtc.c

#pragma GCC diagnostic ignored "-Wunused-parameter"

enum {
	RBR = 0,
	THR = 0,
	DLL = 0,
	IER = 1,
	DLM = 1,
	IIR = 2,
	FCR = 2,
	LCR = 3,
	MCR = 4,
	LSR = 5,
	MSR = 6,
	SCR = 7
};

static struct uart u;
static int pipe_fds[2];

static int setup(void **state)
{
	assert_int_equal(pipe(pipe_fds), 0);
	uart_init(&u, pipe_fds[1]);
	return 0;
}

static int teardown(void **state)
{
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	return 0;
}

/* What the UART sent so far. */
static const char *sent(void)
{
	static char buf[256];
	ssize_t n;

	close(pipe_fds[1]);
	n = read(pipe_fds[0], buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	pipe_fds[1] = -1;
	return buf;
}

static void test_bytes_written_to_thr_are_sent(void **state)
{
	for (const char *p = "hello\n"; *p; p++)
		uart_write(&u, THR, (uint8_t)*p);
	assert_string_equal(sent(), "hello\n");
}

static void test_transmitter_is_always_empty(void **state)
{
	assert_int_equal(uart_read(&u, LSR) & 0x60, 0x60); /* THRE | TEMT */
	uart_write(&u, THR, 'x');
	assert_int_equal(uart_read(&u, LSR) & 0x60, 0x60);
	assert_int_equal(uart_read(&u, LSR) & 0x01, 0); /* no received data */
}

static void test_scratch_register_keeps_its_value(void **state)
{
	uart_write(&u, SCR, 0x5a);
	assert_int_equal(uart_read(&u, SCR), 0x5a);
	uart_write(&u, SCR, 0xa5);
	assert_int_equal(uart_read(&u, SCR), 0xa5);
}

static void test_ier_keeps_its_four_bits(void **state)
{
	/* The 8250 driver's probe: IER reads back 0, then 0x0f (and 0xff gives 0x0f). */
	uart_write(&u, IER, 0);
	assert_int_equal(uart_read(&u, IER), 0);
	uart_write(&u, IER, 0x0f);
	assert_int_equal(uart_read(&u, IER), 0x0f);
	uart_write(&u, IER, 0xff);
	assert_int_equal(uart_read(&u, IER), 0x0f);
}

static void test_dlab_switches_to_the_divisor(void **state)
{
	uart_write(&u, LCR, 0x83); /* DLAB, 8N1 */
	uart_write(&u, DLL, 0x01); /* 115200 baud */
	uart_write(&u, DLM, 0x00);
	assert_int_equal(uart_read(&u, DLL), 0x01);
	assert_int_equal(uart_read(&u, DLM), 0x00);
	uart_write(&u, LCR, 0x03);
	assert_int_equal(uart_read(&u, LCR), 0x03);
	assert_int_equal(uart_read(&u, IER), 0); /* IER was not touched */
	assert_string_equal(sent(), "");         /* nor was anything sent */
}

static void test_no_interrupt_until_enabled(void **state)
{
	uart_write(&u, THR, 'a');
	assert_false(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x01); /* no interrupt pending */
}

static void test_enabling_thri_raises_the_interrupt(void **state)
{
	/* The 8250 driver's THRE test: enabling THRI with an empty transmitter interrupts. */
	uart_write(&u, IER, 0x02);
	assert_true(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02); /* THR empty */
	/* Reading IIR acknowledged it. */
	assert_false(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x01);
	/* Disabled and enabled again: again. */
	uart_write(&u, IER, 0);
	uart_write(&u, IER, 0x02);
	assert_true(uart_irq(&u));
}

static void test_each_byte_sent_raises_the_interrupt_again(void **state)
{
	uart_write(&u, IER, 0x02);
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	uart_write(&u, THR, 'a');
	assert_true(uart_irq(&u));
	assert_int_equal(uart_read(&u, IIR) & 0x0f, 0x02);
	assert_false(uart_irq(&u));
	/* Disabling the interrupt lowers the line. */
	uart_write(&u, THR, 'b');
	uart_write(&u, IER, 0);
	assert_false(uart_irq(&u));
}

static void test_fifo_bits_say_16550a(void **state)
{
	assert_int_equal(uart_read(&u, IIR) & 0xc0, 0);
	uart_write(&u, FCR, 0x07); /* enable, clear both FIFOs */
	assert_int_equal(uart_read(&u, IIR) & 0xc0, 0xc0);
	uart_write(&u, FCR, 0);
	assert_int_equal(uart_read(&u, IIR) & 0xc0, 0);
}

static void test_loopback_modem_status(void **state)
{
	/* The 8250 driver's loopback test: MCR = LOOP | OUT2 | RTS gives DCD | CTS. */
	uart_write(&u, MCR, 0x1a);
	assert_int_equal(uart_read(&u, MSR) & 0xf0, 0x90);
	uart_write(&u, MCR, 0x1f);
	assert_int_equal(uart_read(&u, MSR) & 0xf0, 0xf0);
	/* Nothing written in loopback mode leaves the UART. */
	uart_write(&u, THR, 'x');
	uart_write(&u, MCR, 0x0b);
	assert_int_equal(uart_read(&u, MCR), 0x0b);
	assert_int_equal(uart_read(&u, MSR) & 0xb0, 0xb0); /* a terminal is connected */
	assert_string_equal(sent(), "");
}

/* --- rtc.c --- */

static uint8_t cmos(struct rtc *r, uint8_t index)
{
	rtc_write(r, 0, index);
	return rtc_read(r, 1);
}

static int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0x0f);
}

static void test_rtc_is_valid_and_idle(void **state)
{
	struct rtc r;

	rtc_init(&r);
	assert_int_equal(cmos(&r, 0x0a) & 0x80, 0);    /* no update in progress */
	assert_int_equal(cmos(&r, 0x0b) & 0x06, 0x02); /* 24-hour, BCD */
	assert_int_equal(cmos(&r, 0x0d) & 0x80, 0x80); /* valid time */
	/* Bit 7 of the index masks NMIs: the register is the same. */
	assert_int_equal(cmos(&r, 0x8d) & 0x80, 0x80);
}

static void test_rtc_tells_the_hosts_time(void **state)
{
	struct rtc r;
	struct tm tm, rtc_tm = {0};
	time_t before, after, t;

	rtc_init(&r);
	before = time(NULL);
	rtc_tm.tm_sec = from_bcd(cmos(&r, 0x00));
	rtc_tm.tm_min = from_bcd(cmos(&r, 0x02));
	rtc_tm.tm_hour = from_bcd(cmos(&r, 0x04));
	rtc_tm.tm_mday = from_bcd(cmos(&r, 0x07));
	rtc_tm.tm_mon = from_bcd(cmos(&r, 0x08)) - 1;
	rtc_tm.tm_year = from_bcd(cmos(&r, 0x32)) * 100 + from_bcd(cmos(&r, 0x09)) - 1900;
	after = time(NULL);
	t = timegm(&rtc_tm);
	assert_true(t >= before - 1 && t <= after + 1);
	gmtime_r(&t, &tm);
	assert_int_equal(from_bcd(cmos(&r, 0x06)), tm.tm_wday + 1);
}

static void test_rtc_cmos_memory_is_memory(void **state)
{
	struct rtc r;

	rtc_init(&r);
	rtc_write(&r, 0, 0x40);
	rtc_write(&r, 1, 0x77);
	assert_int_equal(cmos(&r, 0x40), 0x77);
	/* The time can't be set: it stays the host's. */
	rtc_write(&r, 0, 0x09);
	rtc_write(&r, 1, 0x99);
	assert_int_not_equal(cmos(&r, 0x09), 0x99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_bytes_written_to_thr_are_sent, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_transmitter_is_always_empty, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_scratch_register_keeps_its_value, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_ier_keeps_its_four_bits, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_dlab_switches_to_the_divisor, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_interrupt_until_enabled, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_enabling_thri_raises_the_interrupt, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_each_byte_sent_raises_the_interrupt_again,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fifo_bits_say_16550a, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_loopback_modem_status, setup, teardown),
	        cmocka_unit_test(test_rtc_is_valid_and_idle),
	        cmocka_unit_test(test_rtc_tells_the_hosts_time),
	        cmocka_unit_test(test_rtc_cmos_memory_is_memory),
	};

	ws_set_progname("vmm");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
