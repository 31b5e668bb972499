/*
 * serial.c — the guest's console: a 16550A UART, the serial port of every PC (COM1,
 * I/O ports 0x3f8-0x3ff, IRQ 4), which Linux drives with its 8250 driver when told
 * console=ttyS0.
 *
 * Only output is emulated: what the guest transmits goes straight to vmm's stdout,
 * so the transmitter is empty again at once (LSR always says THRE and TEMT). The
 * registers still have to behave like a 16550A's: the driver tells that a UART is
 * there, and which one, by writing and reading back IER, the FIFO bits of IIR and
 * the loopback bits of MSR. And it sends the output of user space (init's echo) one
 * FIFO-full per "transmitter empty" interrupt: without that interrupt, the kernel's
 * own messages (printk polls LSR) would show, and nothing of init's.
 *
 * Pure register logic: pc.c raises IRQ 4 while uart_irq() says so, and
 * tests/unit/test_serial.c checks the registers without KVM. Register names and
 * bits: Linux's include/uapi/linux/serial_reg.h.
 */
#include "vmm.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

/* Register offsets from SERIAL_PORT. */
enum {
	UART_RX = 0,  /* read: receive buffer; with DLAB: divisor latch, low byte */
	UART_TX = 0,  /* write: transmit holding register (THR) */
	UART_IER = 1, /* interrupt enable; with DLAB: divisor latch, high byte */
	UART_IIR = 2, /* read: interrupt identification */
	UART_FCR = 2, /* write: FIFO control */
	UART_LCR = 3, /* line control */
	UART_MCR = 4, /* modem control */
	UART_LSR = 5, /* line status */
	UART_MSR = 6, /* modem status */
	UART_SCR = 7, /* scratch */
};

#define UART_IER_THRI   0x02 /* interrupt when the transmitter is empty */
#define UART_IIR_NO_INT 0x01 /* no interrupt pending */
#define UART_IIR_THRI   0x02 /* pending: the transmitter is empty */
#define UART_IIR_FIFO   0xc0 /* FIFOs enabled: what tells a 16550A from a 16450 */
#define UART_FCR_ENABLE 0x01
#define UART_LCR_DLAB   0x80 /* offsets 0 and 1 are the baud rate divisor */
#define UART_MCR_LOOP   0x10 /* loopback: outputs come back as inputs */
#define UART_LSR_THRE   0x20 /* transmit holding register empty */
#define UART_LSR_TEMT   0x40 /* transmitter empty */
#define UART_MSR_DCD    0x80
#define UART_MSR_DSR    0x20
#define UART_MSR_CTS    0x10

void uart_init(struct uart *u, int out_fd)
{
	memset(u, 0, sizeof(*u));
	u->out_fd = out_fd;
	u->lcr = 0x03; /* 8 data bits, no parity, 1 stop bit */
	u->mcr = 0x08; /* OUT2: on a PC, the gate of the UART's interrupt line */
}

/* One byte to the console. A failed write is not the guest's to know about. */
static void transmit(struct uart *u, uint8_t c)
{
	static bool reported;
	ssize_t n;

	do
		n = write(u->out_fd, &c, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0 && !reported) {
		fail("write", "the guest's console");
		reported = true; /* once: the guest goes on, its output is lost */
	}
}

// TODO(13): the "transmitter empty" interrupt
//   u->thre_pending says that the interrupt "THR empty" is pending. Three events:
//   sent(): a byte left at once, so the transmitter is empty again: pending.
//   ier_written(): IER was old, is now u->ier. Enabling UART_IER_THRI while the
//     transmitter is empty (always, here) makes the interrupt pending at once:
//     the 8250 driver checks exactly that when it opens the port.
//   iir_read(): what IIR says. uart_irq() true: UART_IIR_THRI, and reading it
//     acknowledges the interrupt (no longer pending); false: UART_IIR_NO_INT.
//   uart_irq(): the line is up while the interrupt is both pending and enabled in IER.
static void sent(struct uart *u)
{
}

static void ier_written(struct uart *u, uint8_t old)
{
}

static uint8_t iir_read(struct uart *u)
{
	return UART_IIR_NO_INT;
}

bool uart_irq(const struct uart *u)
{
	return false;
}

void uart_write(struct uart *u, unsigned reg, uint8_t value)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t old;

	switch (reg) {
	case UART_TX:
		if (dlab) {
			u->dll = value;
			break;
		}
		if (!(u->mcr & UART_MCR_LOOP)) /* in loopback, nothing leaves the UART */
			transmit(u, value);
		sent(u);
		break;
	case UART_IER:
		if (dlab) {
			u->dlm = value;
			break;
		}
		old = u->ier;
		u->ier = value & 0x0f; /* the upper bits are not a 16550A's */
		ier_written(u, old);
		break;
	case UART_FCR:
		u->fcr = value & UART_FCR_ENABLE; /* the other bits clear FIFOs or set levels */
		break;
	case UART_LCR:
		u->lcr = value;
		break;
	case UART_MCR:
		u->mcr = value & 0x1f;
		break;
	case UART_SCR:
		u->scr = value;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

/* In loopback mode the modem control outputs come back as the modem status inputs. */
static uint8_t modem_status(const struct uart *u)
{
	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS; /* a terminal is connected */
	return (uint8_t)(((u->mcr & 0x02) << 3) |                  /* RTS -> CTS */
	                 ((u->mcr & 0x01) << 5) |                  /* DTR -> DSR */
	                 ((u->mcr & 0x04) << 4) |                  /* OUT1 -> RI */
	                 ((u->mcr & 0x08) << 4));                  /* OUT2 -> DCD */
}

uint8_t uart_read(struct uart *u, unsigned reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_RX:
		return dlab ? u->dll : 0; /* no input: the receive buffer stays empty */
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		return (u->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0) | iir_read(u);
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT;
	case UART_MSR:
		return modem_status(u);
	case UART_SCR:
		return u->scr;
	default:
		return 0xff;
	}
}
