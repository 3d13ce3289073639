from tests.exchange.support import dept_sim, dept_sim_process

__all__ = ["dept_sim", "dept_sim_process"]
