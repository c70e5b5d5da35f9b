"""Where a body sits: China's divisions (GB/T 2260), placing a body on evidence, adcode helpers."""
