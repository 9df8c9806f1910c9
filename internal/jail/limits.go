package jail
